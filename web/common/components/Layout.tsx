import type { ReactNode } from "react";
import { Link, useRoute } from "wouter";
import { useI18n } from "../i18n/useI18n";
import type { PlainMessageKey } from "../i18n/translate";
import { LanguageSwitch } from "./LanguageSwitch";

const ROOMS: { path: string; label: PlainMessageKey }[] = [
  { path: "/", label: "nav.wallet" },
  { path: "/staff", label: "nav.staff" },
  { path: "/brand", label: "nav.brand" },
  { path: "/audit", label: "nav.audit" },
  { path: "/coalition", label: "nav.coalition" },
];

function RoomLink({ path, label }: { path: string; label: string }) {
  const [active] = useRoute(path === "/" ? "/" : `${path}/*?`);
  return (
    <Link href={path} aria-current={active ? "page" : undefined}>
      {label}
    </Link>
  );
}

/** The frame of every room: a skip link, the name, the rooms, the language, then the room itself. */
export function Layout({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  return (
    <>
      <a className="skip" href="#content">
        {t("app.skip")}
      </a>
      <header className="top">
        <span className="app-name">{t("app.name")}</span>
        <nav aria-label={t("nav.label")}>
          {ROOMS.map((r) => (
            <RoomLink key={r.path} path={r.path} label={t(r.label)} />
          ))}
        </nav>
        <LanguageSwitch />
      </header>
      <main id="content" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
