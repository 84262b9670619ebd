/** The additional authenticated data that binds an encrypted value to what it belongs to. */

/** A stored Bolt installation (tokens included), bound to its team or enterprise id. */
export const installationAad = (id: string) => `installation:${id}`;
