/** See build.mjs. */
export declare const DIST: string;
export declare function buildIsCurrent(): boolean;
export declare function build(): Promise<number>;
export declare function ensureBuild(): Promise<'current' | 'built'>;
export declare function leadgateNodeFlags(): string[];
