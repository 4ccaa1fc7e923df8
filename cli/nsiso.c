/* nsiso: the admin CLI (check, explain, list, stop). */
int main(void) { return 0; }
