# Environment every command of this project runs with: nothing may reach a model hub or call home.
export HF_HUB_OFFLINE=1
export TRANSFORMERS_OFFLINE=1
export GRADIO_ANALYTICS_ENABLED=False
export ANONYMIZED_TELEMETRY=False
export TOKENIZERS_PARALLELISM=false
