"""Notes on a case: free text anyone working on the case adds to its timeline, never edited afterwards."""
