// The README's two commands are the ones CI runs: what a reader copies is what is tested.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { repoRoot } from './support/paths.js';

const read = (file: string) => readFileSync(path.join(repoRoot, file), 'utf8');

/** Commands in the README's shell code blocks, prompts and trailing comments removed. */
function shellCommands(markdown: string): string[] {
  const commands: string[] = [];
  const fence = /^(`{3,}|~{3,})\s*(\w*)[^\n]*\n([\s\S]*?)^\1\s*$/gm;
  for (const match of markdown.matchAll(fence)) {
    const language = (match[2] ?? '').toLowerCase();
    if (!['', 'sh', 'bash', 'shell', 'console', 'zsh', 'shell-session'].includes(language)) continue;
    for (let line of (match[3] ?? '').split('\n')) {
      line = line.trim();
      if (language === 'console' || language === 'shell-session') {
        if (!line.startsWith('$')) continue; // output lines
      }
      line = line.replace(/^\$\s*/, '').replace(/\s+#.*$/, '').trim();
      if (line && !line.startsWith('#')) commands.push(line);
    }
  }
  return commands;
}

/** `npm run test` and `npm test` (and `npm t`) are the same command; so are the start forms. */
function npmScript(command: string): string | null {
  const match = /^npm\s+(?:run(?:-script)?\s+)?(\S+)/.exec(command);
  const script = match?.[1];
  if (!script) return null;
  const aliases: Record<string, string> = { t: 'test', tst: 'test' };
  return aliases[script] ?? script;
}

describe('README commands', () => {
  const hasReadme = existsSync(path.join(repoRoot, 'README.md'));

  test('README.md exists', () => {
    expect(hasReadme).toBe(true);
  });

  test('shows a run command (npm start) and a test command (npm test) in shell blocks', () => {
    const scripts = shellCommands(read('README.md')).map(npmScript);
    expect(scripts).toContain('start');
    expect(scripts).toContain('test');
  });

  test('package.json defines both scripts, and the files they call exist', () => {
    const pkg = JSON.parse(read('package.json')) as { scripts?: Record<string, string> };
    for (const name of ['start', 'test']) {
      const script = pkg.scripts?.[name];
      expect(script, `scripts.${name}`).toBeTruthy();
      for (const file of script!.match(/\b[\w./-]+\.(?:sh|mjs|js|ts)\b/g) ?? []) {
        expect(existsSync(path.join(repoRoot, file)), `${name} calls ${file}`).toBe(true);
      }
    }
  });

  test('.ci/run invokes the README test command', () => {
    expect(existsSync(path.join(repoRoot, '.ci/run'))).toBe(true);
    const ciCommands = read('.ci/run')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    // `npm test`, possibly after `exec`, `time` or `cd ... &&`.
    const runsTest = ciCommands.some((line) =>
      line.split(/\s*(?:&&|\|\||;)\s*/).some((part) => npmScript(part.replace(/^(?:exec|time)\s+/, '')) === 'test'),
    );
    expect(runsTest, `.ci/run:\n${ciCommands.join('\n')}`).toBe(true);
  });
});
