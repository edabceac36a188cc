// What the page finds on `window`: the part of Tauri's injected API the
// page uses (api.js and photos.js only), and the call counter api.js keeps
// for the end-to-end tests.
interface TauriCore {
  invoke(command: string, args?: Record<string, unknown> | Uint8Array, options?: { headers: Record<string, string> }): Promise<unknown>;
  convertFileSrc(path: string, protocol?: string): string;
}
interface TauriEvent {
  listen(event: string, handler: (message: { payload: unknown }) => void): Promise<() => void>;
}
interface Window {
  __TAURI__?: { core?: TauriCore; event?: TauriEvent };
  __regularsCalls: number;
  __regularsEventCalls: number;
  __regularsCallTimes: number[] | undefined;
}

// What dom.js's h() and fill() take as children (its `Child`): nodes, text,
// numbers and lists of them, nested; null, undefined and false are skipped.
// Here because a JSDoc @typedef cannot refer to itself.
type DomChild = Node | string | number | false | null | undefined | readonly DomChild[];
