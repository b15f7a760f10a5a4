export * from './ka-error.js';
export * from './ka-adapter.js';
export * from './plugin-definition.js';
export * from './settings.js';
export * from './http-client.js';
export * from './deliver-to-http-target.js';
export * from './wire-tap.js';
export * from './setting-readers.js';
