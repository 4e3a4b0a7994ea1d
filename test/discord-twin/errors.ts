// Discord error responses. Handlers throw ApiError; the REST layer turns it into the HTTP answer
// and, when `kind` is set, into an entry of `twin.violations`.

import type { ViolationKind } from './types.js';

export interface FormError {
  /** Path into the request body, e.g. ['embeds', 0, 'fields', 0, 'value']. */
  path: (string | number)[];
  code: string;
  message: string;
}

export class ApiError extends Error {
  /** Set by interaction routes so the violation names the interaction. */
  interactionId: string | undefined;

  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly kind: ViolationKind | undefined,
    readonly details: string[] = [],
    readonly errors?: object,
  ) {
    super(message);
  }

  body(): object {
    return this.errors ? { code: this.code, message: this.message, errors: this.errors } : { code: this.code, message: this.message };
  }
}

/** 400 50035 with Discord's nested `errors` object, which discord.js flattens into its error message. */
export function invalidFormBody(errors: FormError[], kind: ViolationKind = 'invalid_form_body'): ApiError {
  return new ApiError(400, 50035, 'Invalid Form Body', kind, errors.map(describeFormError), nestFormErrors(errors));
}

export function describeFormError(error: FormError): string {
  let key = '';
  for (const part of error.path) key += typeof part === 'number' ? `[${part}]` : key ? `.${part}` : part;
  return `${key || '(body)'}: ${error.message}`;
}

// {embeds: {"0": {fields: {"0": {value: {_errors: [{code, message}]}}}}}} — Discord's format.
function nestFormErrors(errors: FormError[]): object {
  const root: Record<string, unknown> = {};
  for (const error of errors) {
    let node = root;
    for (const part of error.path) {
      const key = String(part);
      node[key] ??= {};
      node = node[key] as Record<string, unknown>;
    }
    const list = (node._errors ??= []) as { code: string; message: string }[];
    list.push({ code: error.code, message: error.message });
  }
  return root;
}

export const unknownMessage = () => new ApiError(404, 10008, 'Unknown Message', 'unknown_message');
export const unknownChannel = () => new ApiError(404, 10003, 'Unknown Channel', 'unknown_channel');
export const unknownGuild = () => new ApiError(404, 10004, 'Unknown Guild', 'unknown_guild');
export const missingAccess = () => new ApiError(403, 50001, 'Missing Access', 'missing_access');
/** What Discord answers when the application id in the route is not the token's application. */
export const notThisApplication = () =>
  new ApiError(403, 20012, 'You are not authorized to perform this action on this application', 'missing_access');
export const missingPermissions = (detail: string) =>
  new ApiError(403, 50013, 'Missing Permissions', 'missing_permissions', [detail]);
