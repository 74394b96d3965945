import { useI18n } from "../shared/i18n/useI18n";

/** The coalition report room's own words, in the app's languages. `{name}` is a parameter. */
const en = {
  title: "Coalition report",
  intro: "Governance's view of the coalition for a period: what each partner issued, what was reversed and redeemed there, what it is owed and what it still funds. The figures come from the chain's events as the relay indexed them.",
  "signin.title": "Sign in",
  "signin.token": "Admin token",
  "signin.help": "Kept in this tab only, and sent to the relay in a header, never in an address.",
  "signin.submit": "Sign in",
  "signin.out": "Sign out",
  "signin.failed": "The relay refused this token: {message}",
  "period.title": "Period",
  "period.from": "From (first day)",
  "period.to": "To (last day, included)",
  "period.show": "Show the report",
  "period.invalid": "The last day must not be before the first.",
  "period.utc": "Days are counted in UTC.",
  loading: "Loading the report…",
  failed: "The report could not be loaded: {message}",
  "table.caption": "Partners from {from} to {to} (points, and settlement units of value {unit} per point)",
  "table.partner": "Partner",
  "table.issued": "Issued",
  "table.reversed": "Reversed",
  "table.redeemed": "Redeemed there",
  "table.valueCredited": "Value credited",
  "table.liability": "Liability outstanding (points)",
  "table.net": "Net settlement",
  "table.totals": "Totals",
  "table.empty": "No partner activity in this period.",
  expired: "Points expired in the period (the coalition's, not a partner's): {points}",
  "csv.download": "Download as CSV",
  "csv.done": "Downloaded {file}.",
  "csv.failed": "The CSV could not be downloaded: {message}",
};

type Key = keyof typeof en;

const fr: Record<Key, string> = {
  title: "Rapport de la coalition",
  intro: "La vue de la gouvernance sur la coalition pour une période : ce que chaque partenaire a émis, ce qui a été annulé et dépensé chez lui, ce qui lui est dû et ce qu'il finance encore. Les chiffres viennent des événements de la chaîne tels que le relais les a indexés.",
  "signin.title": "Connexion",
  "signin.token": "Jeton d'administration",
  "signin.help": "Gardé dans cet onglet seulement, et envoyé au relais dans un en-tête, jamais dans une adresse.",
  "signin.submit": "Se connecter",
  "signin.out": "Se déconnecter",
  "signin.failed": "Le relais a refusé ce jeton : {message}",
  "period.title": "Période",
  "period.from": "Du (premier jour)",
  "period.to": "Au (dernier jour, inclus)",
  "period.show": "Afficher le rapport",
  "period.invalid": "Le dernier jour ne peut pas précéder le premier.",
  "period.utc": "Les jours sont comptés en UTC.",
  loading: "Chargement du rapport…",
  failed: "Le rapport n'a pas pu être chargé : {message}",
  "table.caption": "Partenaires du {from} au {to} (points, et unités de règlement à {unit} par point)",
  "table.partner": "Partenaire",
  "table.issued": "Émis",
  "table.reversed": "Annulés",
  "table.redeemed": "Dépensés chez lui",
  "table.valueCredited": "Valeur créditée",
  "table.liability": "Engagement restant (points)",
  "table.net": "Solde de règlement",
  "table.totals": "Totaux",
  "table.empty": "Aucune activité de partenaire sur cette période.",
  expired: "Points expirés sur la période (ceux de la coalition, pas d'un partenaire) : {points}",
  "csv.download": "Télécharger en CSV",
  "csv.done": "{file} téléchargé.",
  "csv.failed": "Le CSV n'a pas pu être téléchargé : {message}",
};

/** The room's messages in the reader's language, with the app's formats. */
export function useCoalitionText() {
  const i18n = useI18n();
  const dict = i18n.lang === "fr" ? fr : en;
  const t = (key: Key, params?: Record<string, string | number>) =>
    params ? dict[key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole)) : dict[key];
  return { ...i18n, t };
}

export const messages = { en, fr };
