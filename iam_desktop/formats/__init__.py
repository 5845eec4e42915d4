"""Files and exchange formats: native model files, AWS imports and exports, and reports (no Qt)."""
