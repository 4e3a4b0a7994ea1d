/**
 * The logging interface libraries accept. Entry points pass a pino logger (which satisfies it);
 * tests pass {@link silentLogger} or a recording one. Libraries never write to the console.
 */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

const ignore = (): void => {};

export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
