import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { I18nProvider } from "./common/i18n/I18nProvider";
import { ChainProvider } from "./common/wallet/ChainProvider";
import { App } from "./App";
import "./common/styles.css";

const queryClient = new QueryClient();

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <I18nProvider>
        <ChainProvider>
          <App />
        </ChainProvider>
      </I18nProvider>
    </QueryClientProvider>
  </StrictMode>,
);
