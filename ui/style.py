"""The chat UI's stylesheet: Gradio theme variables (so dark mode follows the theme), explicit
badge colours for both modes, and a phone-first layout (short header, the question box above the
fold at 375x812, tables as stacked cards under 700 px)."""

# Page-level rules Gradio's css= cannot express (it scopes every rule inside its content area).
HEAD = """<style>
.gradio-container .main.app {max-width: 1400px !important;}
@media (max-width: 700px) { .gradio-container .main.app {padding: 6px 8px !important;} }
</style>"""

CSS = """
/* Gradio's own subdued grey is under 2:1 on its secondary fill: a muted colour readable in both modes */
/* (one rule per selector: Gradio scopes only the first selector of a list under .dark) */
#pa-head {--pa-muted: #57606a;}
#pa-status {--pa-muted: #57606a;}
#pa-chat {--pa-muted: #57606a;}
#pa-chat-notice {--pa-muted: #57606a;}
#pa-cmp-out {--pa-muted: #57606a;}
#pa-sources {--pa-muted: #57606a;}
.dark #pa-head {--pa-muted: #a3adb8;}
.dark #pa-status {--pa-muted: #a3adb8;}
.dark #pa-chat {--pa-muted: #a3adb8;}
.dark #pa-chat-notice {--pa-muted: #a3adb8;}
.dark #pa-cmp-out {--pa-muted: #a3adb8;}
.dark #pa-sources {--pa-muted: #a3adb8;}
#pa-head {margin: 0 !important;}
#pa-head h2 {margin: 0 0 2px 0; font-size: 1.25em;}
#pa-head p {margin: 0; color: var(--pa-muted); font-size: 0.9em;}
#pa-status {color: var(--pa-muted); font-size: 0.85em; min-height: 0;}
#pa-status p {margin: 0;}
#pa-chat {height: min(640px, calc(100dvh - 350px)) !important; min-height: 240px;}

.pa-cards {display: flex; flex-direction: column; gap: 6px; margin-top: 10px;}
.pa-card {border: 1px solid var(--border-color-primary); border-left: 4px solid var(--color-accent);
          border-radius: 6px; padding: 6px 10px; background: var(--background-fill-secondary);
          color: var(--body-text-color); font-size: 0.85em; line-height: 1.35;}
.pa-card-head {font-weight: 600; font-size: 0.95em;}
.pa-card a, .pa-cite a, .pa-sources a {color: var(--link-text-color); text-decoration: none;}
.pa-card a:hover, .pa-cite a:hover, .pa-sources a:hover {text-decoration: underline;}
.pa-meta {margin: 3px 0; color: var(--pa-muted);}
.pa-quote {margin: 4px 0 0 0 !important; padding: 0 0 0 8px !important; border-left: 3px solid var(--border-color-primary);
           font-style: italic; color: var(--body-text-color) !important; opacity: 1 !important;}
.pa-badge {display: inline-block; border-radius: 10px; padding: 0 8px; margin-left: 4px; font-size: 0.82em;
           font-weight: 600; border: 1px solid transparent; font-style: normal;}
.pa-binding {background: #ffebe9; color: #a40e26; border-color: #ffcecb;}
.pa-voluntary {background: #dafbe1; color: #116329; border-color: #aceebb;}
.pa-jur {background: #ddf4ff; color: #0550ae; border-color: #b6e3ff;}
.dark .pa-binding {background: #4a1219; color: #ffb3b8; border-color: #8e1f2b;}
.dark .pa-voluntary {background: #0f3a1c; color: #8ff0a4; border-color: #1f6f36;}
.dark .pa-jur {background: #0c2d4d; color: #a5d6ff; border-color: #1f5f99;}

/* [n] markers: links to the viewer with a preview on hover or keyboard focus */
.pa-ref {position: relative; color: var(--link-text-color) !important; text-decoration: none; font-weight: 600;
         white-space: nowrap; cursor: pointer;}
.pa-ref:hover, .pa-ref:focus {text-decoration: underline;}
.pa-pop {display: none; position: absolute; z-index: 50; left: 0; top: 1.6em; width: min(340px, 80vw);
         white-space: normal; font-weight: 400; font-size: 0.85em; line-height: 1.35; padding: 8px 10px;
         border-radius: 6px; border: 1px solid var(--border-color-primary); background: var(--background-fill-primary);
         color: var(--body-text-color); box-shadow: 0 4px 14px rgb(0 0 0 / 0.25); text-align: left;}
.pa-ref:hover .pa-pop, .pa-ref:focus .pa-pop {display: block;}

.pa-table {border-collapse: collapse; width: 100%; font-size: 0.92em; color: var(--body-text-color);}
.pa-table th, .pa-table td {border: 1px solid var(--border-color-primary); padding: 8px; vertical-align: top;
                            text-align: left;}
.pa-table th {background: var(--background-fill-secondary); color: var(--body-text-color); font-weight: 600;}
.pa-full-title {color: var(--pa-muted); font-size: 0.85em; margin-top: 2px;}
.pa-notice {color: #9a6700; font-weight: 600;}
.dark .pa-notice {color: #e3b341;}
.pa-cite {margin-bottom: 6px;}
#pa-chat-notice:not(:has(.pa-notice, .pa-thanks)) {display: none;}
.pa-thanks {color: var(--pa-muted);}
#pa-actions {gap: 8px; flex-wrap: wrap;}
#pa-actions > * {min-width: 0 !important; flex: 1 1 auto;}

@media (max-width: 700px) {
  #pa-head p {display: none;}
  #pa-chat-col {gap: 8px !important;}
  #pa-chat {height: calc(100dvh - 370px) !important; min-height: 200px;}
  #pa-question {padding: 6px 8px !important;}
  .pa-pop {position: fixed; left: 8px; right: 8px; top: auto; bottom: 8px; width: auto;}
  .pa-table, .pa-table tbody, .pa-table tr, .pa-table td {display: block; width: 100%; box-sizing: border-box;}
  .pa-table {border: none !important;}
  .pa-table thead {display: none;}
  .pa-table tr {border: 1px solid var(--border-color-primary); border-left: 4px solid var(--color-accent);
                border-radius: 6px; margin-bottom: 10px; background: var(--background-fill-secondary);}
  .pa-table td {border: none; padding: 4px 10px;}
  .pa-table td::before {content: attr(data-label); display: block; font-size: 0.78em; font-weight: 600;
                        text-transform: uppercase; letter-spacing: 0.03em; color: var(--pa-muted);}
}
"""
