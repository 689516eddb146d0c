/** Owner keys the Worker mints for new and claimed rooms. */

const KEY_BYTES = 32;

/**
 * A fresh owner key: 32 random bytes as unpadded base64url (43 characters),
 * safe in a `#owner=` fragment and a JSON string alike. Only its SHA-256
 * is ever stored (by the room); the key itself is shown to its owner once.
 */
export function newOwnerKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(KEY_BYTES));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
