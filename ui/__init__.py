"""The Gradio front end (ui.app.build_ui), mounted at / by the API app."""
