"""Files kept for a case: photos, documents, evidence of measures, founders' signatures."""
