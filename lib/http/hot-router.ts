import type { IncomingMessage, ServerResponse } from "node:http";

export type HotHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

/**
 * The routes the custom server answers itself, before Next: exact paths and prefixes. Kept as a
 * tiny table because these are the hot paths and a lookup must cost next to nothing.
 */
export class HotRouter {
  private readonly exact = new Map<string, HotHandler>();
  private readonly prefixes: [string, HotHandler][] = [];

  route(path: string, handler: HotHandler): this {
    this.exact.set(path, handler);
    return this;
  }

  prefix(prefix: string, handler: HotHandler): this {
    this.prefixes.push([prefix, handler]);
    return this;
  }

  match(url: string | undefined): HotHandler | undefined {
    if (!url) return undefined;
    const q = url.indexOf("?");
    const path = q === -1 ? url : url.slice(0, q);
    const handler = this.exact.get(path);
    if (handler) return handler;
    for (const [prefix, h] of this.prefixes) if (path.startsWith(prefix)) return h;
    return undefined;
  }
}
