// The environment as wa-cli reads it: injected everywhere, never read from process.env below main.
export type Env = Readonly<Record<string, string | undefined>>;
