// The workbench's YAML editor: CodeMirror 6 with its YAML mode and lint gutter, bundled once by esbuild.
import { EditorView, basicSetup } from "codemirror";
import { yaml } from "@codemirror/lang-yaml";
import { linter, lintGutter, forceLinting } from "@codemirror/lint";

// create(parent, text, validate): validate(text) resolves to [{line, column, message}] (1-based).
export function create(parent, text, validate, onChange) {
  const lint = linter(async (view) => {
    const doc = view.state.doc;
    const problems = await validate(doc.toString());
    return problems.map((p) => {
      const line = doc.line(Math.min(Math.max(p.line || 1, 1), doc.lines));
      const from = Math.min(line.from + Math.max((p.column || 1) - 1, 0), line.to);
      return { from, to: line.to > from ? line.to : from, severity: "error", message: p.message };
    });
  }, { delay: 400 });
  const view = new EditorView({
    doc: text,
    parent,
    extensions: [
      basicSetup, yaml(), lintGutter(), lint,
      EditorView.updateListener.of((u) => { if (u.docChanged && onChange) onChange(u.state.doc.toString()); }),
      EditorView.contentAttributes.of({ "aria-label": "Scorecard YAML" }),
    ],
  });
  return {
    view,
    get: () => view.state.doc.toString(),
    set: (t) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: t } }),
    lint: () => forceLinting(view),
  };
}
