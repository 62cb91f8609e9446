import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { QueryClientProvider } from "@tanstack/react-query";
import { App } from "./App";
import { ToastHost } from "./components/Toast";
import { createQueryClient } from "./queries/client";
import "./styles.css";

const queryClient = createQueryClient();

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <ToastHost>
        <App />
      </ToastHost>
    </QueryClientProvider>
  </StrictMode>,
);
