export * from './ka-error.js';
export * from './ka-adapter.js';
export * from './plugin-definition.js';
export * from './settings.js';
