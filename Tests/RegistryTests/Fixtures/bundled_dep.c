/* A small shared library that the `bundled` fixture plugin ships beside itself, in deps/. */
int bundled_dep_answer(void);
int bundled_dep_answer(void) { return 42; }
