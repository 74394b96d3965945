import { lazy, Suspense } from "react";
import { Link, Route, Switch } from "wouter";
import { useI18n } from "./common/i18n/useI18n";
import { Layout } from "./common/components/Layout";
import WalletPage from "./wallet/WalletPage";

// The wallet ships with the first page; the other rooms load when visited.
const StaffPage = lazy(() => import("./staff/StaffPage"));
const BrandPage = lazy(() => import("./brand/BrandPage"));
const AuditPage = lazy(() => import("./audit/AuditPage"));
const CoalitionPage = lazy(() => import("./coalition/CoalitionPage"));

/** The five rooms and their sub-paths. */
export function App() {
  return (
    <Layout>
      <Suspense fallback={null}>
        <Switch>
          <Route path="/" component={WalletPage} />
          <Route path="/staff" component={StaffPage} nest />
          <Route path="/brand" component={BrandPage} nest />
          <Route path="/audit" component={AuditPage} nest />
          <Route path="/coalition" component={CoalitionPage} nest />
          <Route component={NotFound} />
        </Switch>
      </Suspense>
    </Layout>
  );
}

function NotFound() {
  const { t } = useI18n();
  return (
    <>
      <h1>{t("notFound.title")}</h1>
      <Link href="/">{t("notFound.back")}</Link>
    </>
  );
}
