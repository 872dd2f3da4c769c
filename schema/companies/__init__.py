"""Companies, their principal contact and their tracking screen."""
