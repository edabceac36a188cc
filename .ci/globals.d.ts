// What the page finds on `window`: Tauri's injected API, and the call
// counter api.js keeps for the end-to-end tests.
interface Window {
  __TAURI__: any;
  __regularsCalls: number;
  __regularsEventCalls: number;
  __regularsCallTimes: number[] | undefined;
}
