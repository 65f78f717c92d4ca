"""Evaluation: suites (suite.py), pure metrics (metrics.py), the runner (runner.py), reports
(report.py) and the naive LangChain baseline (baseline.py). Entry point: `policy-assistant eval`."""
