// Types of import-rules.js, which stays JavaScript so that eslint.config.js can load it.
export declare const ALLOWED_IMPORTS: Readonly<Record<string, readonly string[]>>;
export declare const SOURCE_FOLDERS: string[];
export declare const PUBLIC_ENTRIES: Readonly<Record<string, string>>;
export declare const COMPOSITION_ROOTS: readonly string[];
