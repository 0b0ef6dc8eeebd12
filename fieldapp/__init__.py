"""fieldapp: offline-first enrolment of informal workers into BPJS Ketenagakerjaan."""

__version__ = "0.1.0"
