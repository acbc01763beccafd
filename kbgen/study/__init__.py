"""Study mode: quizzes, flashcards and their review, in one package.

- syntax (markdown-it plugins, each exposing ``plugin(md)``): :mod:`.quiz_syntax`
  (question blocks and ```` ```quiz ```` fences, using :mod:`.recognize`,
  :mod:`.fenced`, :mod:`.tokens`) and :mod:`.flashcards`;
- data model: :mod:`.model`;
- emit: :mod:`.quizzes_page` (the Quizzes page) and :mod:`.site_assets` (the
  scripts and styles in ``assets/``).
"""
