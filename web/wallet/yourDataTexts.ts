/** The "Your data" section's words, by language (kept beside the component). */
export const YOUR_DATA_TEXTS = {
  en: {
    title: "Your data",
    intro: "Download everything this relay holds about your wallet, or erase what the law does not require the brands to keep. One signature, no gas.",
    download: "Download my data",
    erase: "Erase my data",
    confirm: "I understand that my visits, shopping list and card links are erased for every brand",
    signing: "Waiting for your wallet's signature…",
    sending: "Sending your request to the relay…",
    refused: "You declined the signature in your wallet: nothing was sent.",
    failed: "The request failed: {message}",
    downloaded: "Your data is ready: {rows} records.",
    saveFile: "Save the file",
    erased: "Erased: {list}.",
    kept: "Kept, and why",
    onChain: "On chain",
  },
  fr: {
    title: "Vos données",
    intro: "Téléchargez tout ce que ce relais détient sur votre portefeuille, ou effacez ce que la loi n'oblige pas les marques à garder. Une signature, sans frais.",
    download: "Télécharger mes données",
    erase: "Effacer mes données",
    confirm: "Je comprends que mes visites, ma liste de courses et mes cartes liées sont effacées pour toutes les marques",
    signing: "En attente de la signature de votre portefeuille…",
    sending: "Envoi de votre demande au relais…",
    refused: "Vous avez refusé la signature : rien n'a été envoyé.",
    failed: "La demande a échoué : {message}",
    downloaded: "Vos données sont prêtes : {rows} enregistrements.",
    saveFile: "Enregistrer le fichier",
    erased: "Effacé : {list}.",
    kept: "Conservé, et pourquoi",
    onChain: "Sur la chaîne",
  },
} as const;

export type YourDataKey = keyof (typeof YOUR_DATA_TEXTS)["en"];

/** The text of `key` in `lang` (English when the language has none), with `{name}` replaced. */
export function yourDataText(lang: string, key: YourDataKey, vars: Record<string, string | number> = {}): string {
  const texts = (YOUR_DATA_TEXTS as Record<string, Record<YourDataKey, string>>)[lang] ?? YOUR_DATA_TEXTS.en;
  return texts[key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? ""));
}
