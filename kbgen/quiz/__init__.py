"""Quizzes as plain data: the model, the recognizer of question blocks, and the ```quiz format."""
