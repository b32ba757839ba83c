/** The release version shared by daemon and client, and the wire protocol's revision. */
export const VERSION = '0.1.0';
export const PROTOCOL_REVISION = 1;
