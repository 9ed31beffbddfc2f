/** The box editor's styles (inline <style> is allowed by the CSP's style-src; no remote content). */
export const COCO_CSS = `
body { padding: 0; margin: 0; overflow: hidden; }
#app { display: flex; height: 100vh; }
#side { width: 250px; flex: none; overflow-y: auto; padding: 6px 10px; border-right: 1px solid var(--vscode-panel-border); font-size: 12px; }
#side h3 { font-size: 12px; margin: 10px 0 4px; text-transform: uppercase; opacity: .8; }
#side label { display: flex; gap: 6px; align-items: center; cursor: pointer; }
#side label .count { margin-left: auto; opacity: .7; font-variant-numeric: tabular-nums; }
#side input[type=number] { width: 60px; }
.swatch { width: 10px; height: 10px; display: inline-block; border-radius: 2px; }
#main { flex: 1; position: relative; min-width: 0; }
#status { height: 24px; line-height: 24px; padding: 0 8px; border-bottom: 1px solid var(--vscode-panel-border); font-size: 12px; white-space: nowrap; overflow: hidden; }
#grid { position: absolute; top: 25px; bottom: 0; left: 0; right: 0; overflow-y: auto; outline: none; }
#spacer { position: relative; }
.cell { position: absolute; box-sizing: border-box; padding: 4px; cursor: pointer; border: 2px solid transparent; }
.cell.focused { border-color: var(--vscode-focusBorder); }
.cell .name { font-size: 11px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; opacity: .8; }
.frame { position: relative; margin: auto; background: var(--vscode-editorWidget-background); }
.frame img { position: absolute; inset: 0; width: 100%; height: 100%; user-select: none; -webkit-user-drag: none; }
.frame .missing { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center; font-size: 11px; opacity: .7; text-align: center; }
.box { position: absolute; box-sizing: border-box; border: 2px solid; }
.box.rejected { border-style: dashed; opacity: .5; }
.box.verified::after { content: "✓"; position: absolute; right: 1px; top: -2px; font-size: 11px; color: #fff; text-shadow: 0 0 2px #000; }
#detail { position: absolute; inset: 0; display: none; background: var(--vscode-editor-background); }
#detail.open { display: flex; }
#stage { flex: 1; position: relative; overflow: hidden; display: flex; align-items: center; justify-content: center; }
#stage .frame .box { cursor: move; }
#stage .frame .box.selected { border-width: 3px; box-shadow: 0 0 0 1px #fff; }
#stage .frame.drawing { cursor: crosshair; }
.handle { position: absolute; right: -6px; bottom: -6px; width: 10px; height: 10px; background: #fff; border: 1px solid #000; cursor: nwse-resize; }
#anns { width: 290px; flex: none; overflow-y: auto; padding: 6px; border-left: 1px solid var(--vscode-panel-border); font-size: 12px; }
.ann { padding: 4px; border: 1px solid transparent; margin-bottom: 3px; }
.ann.selected { border-color: var(--vscode-focusBorder); }
.ann .row { display: flex; gap: 4px; align-items: center; flex-wrap: wrap; }
.ann button, #anns > .row button { padding: 2px 6px; }
.keys { opacity: .7; font-size: 11px; margin-top: 8px; }
`;
