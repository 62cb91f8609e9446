// The window's query client. The shell says what changed (DataChanged), so nothing is
// refetched on a timer, on focus or on reconnect; failed commands are shown, not retried.
import { QueryClient } from "@tanstack/react-query";

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: Infinity,
        retry: false,
        refetchOnWindowFocus: false,
        refetchOnReconnect: false,
        // Commands answer from the local mirror: they work without a network, so a query
        // must never wait for the browser to think it is online.
        networkMode: "always",
      },
      mutations: { retry: false, networkMode: "always" },
    },
  });
}
