"""Enquiries to experts, relayed by the platform: an expert's contact is shared only with consent."""
