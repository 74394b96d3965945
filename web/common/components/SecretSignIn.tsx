import { useState, type FormEvent } from "react";

export interface SecretSignInProps {
  /** The id prefix of the form's elements (unique on the page). */
  id: string;
  /** The room's words: the title, the field's label, the help under it, the button. */
  texts: { title: string; label: string; help: string; submit: string };
  /** Checks the secret with the relay; throws when it is refused. */
  check: (secret: string) => Promise<unknown>;
  /** Words for a refusal. */
  failed: (err: unknown) => string;
  /** Called with the secret once the relay accepted it. */
  onSecret: (secret: string) => void;
}

/**
 * A sign-in with a secret the relay checks (a brand's API key, the admin token): a password field, its help,
 * the button, and the relay's refusal in words. The room keeps the accepted secret in the tab.
 */
export function SecretSignIn({ id, texts, check, failed, onSecret }: SecretSignInProps) {
  const [secret, setSecret] = useState("");
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await check(secret.trim());
      onSecret(secret.trim());
    } catch (err) {
      setError(failed(err));
    }
  };
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{texts.title}</h2>
      <form onSubmit={(e) => void submit(e)}>
        <label htmlFor={id}>{texts.label}</label>
        <input id={id} type="password" autoComplete="off" value={secret} onChange={(e) => setSecret(e.target.value)} aria-describedby={`${id}-help`} required />
        <p id={`${id}-help`} className="muted">
          {texts.help}
        </p>
        <button type="submit" className="primary">
          {texts.submit}
        </button>
        {error && <p role="alert">{error}</p>}
      </form>
    </section>
  );
}
