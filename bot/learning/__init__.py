"""The learning loop: evaluation, the content-gap report, fine-tuning exports."""
