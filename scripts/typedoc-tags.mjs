// A TypeDoc plugin (typedoc.json "plugin"): TypeDoc's own validation only checks that an export has
// some comment; this one warns when a documented public API lacks what blasnet's standard asks for.
// - every function, method and constructor signature: an @param for each parameter, and @returns
//   unless it returns void / Promise<void>;
// - every top-level export and every method: an @example;
// - every @throws: names its error code (ERR_BLASNET_…, ABORT_ERR, or an errno code such as ENOENT).
// It only reads the reflections and logs warnings, so `--treatWarningsAsErrors` fails the docs build.
import { Application, Comment, ReflectionKind } from 'typedoc';

const CALLABLE = ReflectionKind.Function | ReflectionKind.Method | ReflectionKind.Constructor;
const TOP_LEVEL = ReflectionKind.Function | ReflectionKind.Class | ReflectionKind.Interface |
  ReflectionKind.TypeAlias | ReflectionKind.Variable | ReflectionKind.Enum;

function returnsNothing(type) {
  if (!type) return true;
  if (type.type === 'intrinsic') return type.name === 'void' || type.name === 'undefined' || type.name === 'never';
  if (type.type === 'reference' && type.name === 'Promise') return returnsNothing(type.typeArguments?.[0]);
  return false;
}

function hasExample(...comments) {
  return comments.some((c) => c?.getTag('@example'));
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.on(Application.EVENT_VALIDATE_PROJECT, (project) => {
    const seen = new Set(); // overloads share one message
    const warn = (refl, what) => {
      const file = refl.sources?.[0]?.fileName ?? refl.parent?.sources?.[0]?.fileName ?? '?';
      const message = `${refl.getFriendlyFullName()} (${ReflectionKind.singularString(refl.kind)}), defined in ${file}, ${what}`;
      if (!seen.has(message)) app.logger.warn(message);
      seen.add(message);
    };
    for (const refl of project.getReflectionsByKind(CALLABLE | TOP_LEVEL)) {
      if (refl.inheritedFrom || refl.flags.isPrivate || refl.flags.isExternal) continue;
      if (refl.kindOf(CALLABLE)) {
        for (const sig of refl.signatures ?? []) {
          if (sig.inheritedFrom) continue;
          const comment = sig.comment ?? refl.comment;
          if (!comment) continue; // TypeDoc's notDocumented check reports it
          for (const p of sig.parameters ?? []) {
            if (!p.comment || p.comment.summary.length === 0) warn(refl, `has no @param for "${p.name}"`);
          }
          if (!refl.kindOf(ReflectionKind.Constructor) && !returnsNothing(sig.type) && !comment.getTag('@returns')) {
            warn(refl, 'has no @returns');
          }
          if (!refl.kindOf(ReflectionKind.Constructor) && !hasExample(sig.comment, refl.comment)) warn(refl, 'has no @example');
          for (const t of comment.getTags('@throws')) {
            // blasnet's codes, Node's (ERR_…, ABORT_ERR) and the file system's errno codes (ENOENT, EACCES, …)
            if (!/\b(?:ERR_[A-Z0-9_]+|ABORT_ERR|E[A-Z]{3,})\b/.test(Comment.combineDisplayParts(t.content))) {
              warn(refl, 'has an @throws that names no error code');
            }
          }
        }
      } else if (refl.comment && !hasExample(refl.comment)) {
        warn(refl, 'has no @example');
      }
    }
  });
}
