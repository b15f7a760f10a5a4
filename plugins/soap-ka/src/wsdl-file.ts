import { fileURLToPath } from 'node:url';

/** The WSDL shipped with the plugin: the protocol's definition, read by client and server. */
export const WSDL_PATH = fileURLToPath(new URL('../wsdl/subscription-ka.wsdl', import.meta.url));
