/*
 * The pipelined benchmark's anchor: the least a client can do against the same QMP server.
 * Connects to a unix socket, reads the greeting, negotiates, then for every byte read from stdin
 * writes COUNT query-status requests in one go, reads until it has COUNT reply lines, and prints
 * "done". No JSON parsing: it counts line feeds (every QMP message ends with one).
 * Usage: qmp-burst SOCKET COUNT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int read_lines(int fd, long want)
{
    static char buf[1 << 16];
    long seen = 0;
    while (seen < want) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) {
            return -1;
        }
        for (ssize_t i = 0; i < n; i++) {
            seen += buf[i] == '\n';
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: qmp-burst SOCKET COUNT\n");
        return 2;
    }
    long count = atol(argv[2]);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    strncpy(addr.sun_path, argv[1], sizeof addr.sun_path - 1);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        perror("connect");
        return 1;
    }
    const char negotiate[] = "{\"execute\":\"qmp_capabilities\"}\r\n";
    if (read_lines(fd, 1) != 0 || write(fd, negotiate, sizeof negotiate - 1) < 0 || read_lines(fd, 1) != 0) {
        return 1;
    }

    char *requests = malloc(count * 64);
    size_t length = 0;
    for (long i = 1; i <= count; i++) {
        length += sprintf(requests + length, "{\"execute\":\"query-status\",\"id\":%ld}\r\n", i);
    }

    int go;
    while ((go = getchar()) != EOF) {
        if (go == '\n') {
            continue;
        }
        for (size_t sent = 0; sent < length;) {
            ssize_t n = write(fd, requests + sent, length - sent);
            if (n <= 0) {
                return 1;
            }
            sent += n;
        }
        if (read_lines(fd, count) != 0) {
            return 1;
        }
        printf("done\n");
        fflush(stdout);
    }
    return 0;
}
