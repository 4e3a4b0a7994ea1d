/**
 * Removes secrets from text bound for logs or replies: bot tokens, and interaction tokens that
 * discord.js puts in the URLs of its errors (`/interactions/{id}/{token}/…`, `/webhooks/{app}/{token}`).
 */
const BOT_TOKEN = /[\w-]{23,28}\.[\w-]{6,7}\.[\w-]{27,}/g;
const TOKEN_IN_PATH = /\/(interactions|webhooks)\/(\d+)\/[\w.-]{20,}/g;

let knownSecrets: string[] = [];

/** Registers secrets (the configured token) so that they are removed wherever they appear. */
export function registerSecret(secret: string): void {
  if (secret.length >= 8) knownSecrets = [...new Set([...knownSecrets, secret])];
}

export function redactSecrets(text: string): string {
  let result = text;
  for (const secret of knownSecrets) result = result.split(secret).join('[redacted]');
  return result.replace(TOKEN_IN_PATH, '/$1/$2/[redacted]').replace(BOT_TOKEN, '[redacted]');
}
