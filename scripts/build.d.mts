/** See build.mjs. */
export declare const DIST: string;
export declare function buildIsCurrent(): boolean;
export declare function build(): Promise<number>;
export declare function ensureBuild(options?: { force?: boolean }): Promise<'current' | 'built'>;
export declare function leadgateNodeFlags(): string[];
