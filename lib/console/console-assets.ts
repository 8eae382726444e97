import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Injectable } from '@nestjs/common';

/** One file the console serves, with a version that changes with its content. */
export interface ConsoleAsset {
  body: string;
  /** A hash of the content: asset URLs carry it, so that browsers may cache them for good. */
  version: string;
}

/**
 * The page's script and stylesheet, read once from `assets/` next to this module (`npm run build`
 * copies them into `dist/console/assets`). Nothing comes from a CDN: the console works on a closed
 * network, and its Content-Security-Policy allows its own files only.
 */
@Injectable()
export class ConsoleAssets {
  readonly script = load('console.js');
  readonly stylesheet = load('console.css');
}

function load(name: string): ConsoleAsset {
  const url = new URL(`./assets/${name}`, import.meta.url);
  let body: string;
  try {
    body = readFileSync(url, 'utf8');
  } catch (error) {
    throw new Error(
      `The console's ${name} is missing at ${url.pathname} (a build without the assets copy step?): ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
  return { body, version: createHash('sha256').update(body).digest('hex').slice(0, 12) };
}
