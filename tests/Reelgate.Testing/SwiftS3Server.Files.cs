using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;

namespace Reelgate.Testing;

/// <summary>The files <see cref="SwiftS3Server"/> writes: Swift's configs and the Python launcher (kept apart from the process handling).</summary>
public sealed partial class SwiftS3Server
{
    private void WriteConfigs()
    {
        File.WriteAllText(Path.Combine(_dir, "swift.conf"), $"""
            [swift-hash]
            swift_hash_path_suffix = {Guid.NewGuid():N}
            swift_hash_path_prefix = {Guid.NewGuid():N}

            [storage-policy:0]
            name = Policy-0
            default = yes

            [swift-constraints]

            """);
        foreach (var name in Servers)
        {
            WriteConfig(name, 0);
        }

        File.WriteAllText(Path.Combine(_dir, "reelgate_swift.py"), Launcher.Replace("{{ListeningLine}}", ListeningLine, StringComparison.Ordinal));
    }

    /// <summary>Writes NAME-server.conf; port 0 lets the server pick a free port (see ListeningLine).</summary>
    private void WriteConfig(string name, int port)
    {
        // workers = 0: one process serving in the foreground, no forks and no privilege drop
        // (so `user` is never used and root is fine).
        var common = $"""
            [DEFAULT]
            bind_ip = 127.0.0.1
            bind_port = {port}
            workers = 0
            user = root
            swift_dir = {_dir}
            devices = {_dir}/srv
            mount_check = false
            disable_fallocate = true
            fallocate_reserve = 0
            log_name = {name}
            log_level = INFO

            [filter:healthcheck]
            use = egg:swift#healthcheck

            """;
        var pipeline = name != "proxy"
            ? $"""
                [pipeline:main]
                pipeline = healthcheck {name}-server

                [app:{name}-server]
                use = egg:swift#{name}

                """
            : """
                [pipeline:main]
                pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy slo dlo versioned_writes proxy-logging proxy-server

                [app:proxy-server]
                use = egg:swift#proxy
                account_autocreate = true
                conn_timeout = 2
                node_timeout = 10

                [filter:cache]
                paste.filter_factory = reelgate_swift:null_cache_filter_factory

                [filter:s3api]
                use = egg:swift#s3api
                location = us-east-1
                s3_acl = false

                [filter:tempauth]
                use = egg:swift#tempauth
                user_test_tester = testing .admin

                [filter:catch_errors]
                use = egg:swift#catch_errors

                [filter:gatekeeper]
                use = egg:swift#gatekeeper

                [filter:proxy-logging]
                use = egg:swift#proxy_logging

                [filter:listing_formats]
                use = egg:swift#listing_formats

                [filter:copy]
                use = egg:swift#copy

                [filter:slo]
                use = egg:swift#slo

                [filter:dlo]
                use = egg:swift#dlo

                [filter:versioned_writes]
                use = egg:swift#versioned_writes

                """;
        File.WriteAllText(Path.Combine(_dir, $"{name}-server.conf"), common + pipeline);
    }

    /// <summary>What a launcher prints on stdout, with the port, once its server's socket is bound.</summary>
    private const string ListeningLine = "REELGATE-SWIFT-LISTENING ";

    /// <summary>
    /// Runs a Debian swift-*-server script against this directory's swift.conf, logging to stderr
    /// only, and prints the bound port. With --rings-from-stdin (the proxy's first start) it
    /// imports the proxy's code, then reads the account, container and object ports as one line
    /// from stdin and builds the three rings. Also the module of the no-op cache filter.
    /// </summary>
    private const string Launcher = """
        import logging
        import os
        import runpy
        import sys

        LISTENING_LINE = '{{ListeningLine}}'


        class NullCache(object):
            # A memcache client that remembers nothing: every proxy request reads account and
            # container info from the backend servers, and tempauth gets the cache it insists on.
            def get(self, key, *args, **kwargs):
                return None

            def get_multi(self, keys, server_key, *args, **kwargs):
                return [None for _ in keys]

            def set(self, *args, **kwargs):
                pass

            def set_multi(self, *args, **kwargs):
                pass

            def delete(self, *args, **kwargs):
                pass

            def incr(self, key, delta=1, *args, **kwargs):
                return delta

            def decr(self, key, delta=1, *args, **kwargs):
                return 0


        def null_cache_filter_factory(global_conf, **local_conf):
            cache = NullCache()

            def make(app):
                def middleware(env, start_response):
                    env['swift.cache'] = cache
                    return app(env, start_response)
                return middleware
            return make


        def build_rings(swift_dir, ports):
            from swift.common.ring import RingBuilder
            for name, port in zip(('account', 'container', 'object'), ports):
                path = os.path.join(swift_dir, name + '.ring.gz')
                if os.path.exists(path):
                    continue
                builder = RingBuilder(6, 1, 1)
                builder.add_dev({'id': 0, 'region': 1, 'zone': 1, 'ip': '127.0.0.1',
                                 'port': port, 'replication_ip': '127.0.0.1',
                                 'replication_port': port, 'device': 'd1',
                                 'weight': 100, 'meta': ''})
                builder.rebalance(seed=1)
                builder.get_ring().save(path + '.tmp')
                os.rename(path + '.tmp', path)


        def exit_with_parent(parent, here, remove_dir):
            # stdin is a pipe from the test process: EOF means that process is gone (even by
            # kill -9) without disposing, and so should this server be; the proxy's launcher also
            # removes the directory. A real thread (eventlet has patched threading by now).
            import eventlet.patcher

            def watch():
                while os.read(parent, 4096):
                    pass
                if remove_dir:
                    import shutil
                    import time
                    time.sleep(1)  # the other servers exit too
                    shutil.rmtree(here, ignore_errors=True)
                os._exit(0)
            eventlet.patcher.original('_thread').start_new_thread(watch, ())


        def read_line(parent):
            line = b''
            while not line.endswith(b'\n'):
                chunk = os.read(parent, 1)
                if not chunk:
                    os._exit(1)  # the test process is gone
                line += chunk
            return line.decode('ascii').strip()


        def report_port():
            from swift.common import wsgi
            real_get_socket = wsgi.get_socket

            def get_socket(conf):
                sock = real_get_socket(conf)
                sys.stdout.write('%s%d\n' % (LISTENING_LINE, sock.getsockname()[1]))
                sys.stdout.flush()
                return sock
            wsgi.get_socket = get_socket


        def check_xattrs(devices):
            # The object server keeps metadata in user xattrs; without them every PUT fails.
            probe = os.path.join(devices, '.xattr-probe')
            open(probe, 'w').close()
            try:
                os.setxattr(probe, 'user.reelgate', b'1')
            except OSError as e:
                sys.exit('%s does not support user xattrs (%s); Swift needs them' % (devices, e))
            finally:
                os.unlink(probe)


        def main():
            here = os.path.dirname(os.path.abspath(__file__))
            args = sys.argv[1:]
            # A copy of stdin: once serving, Swift points fds 0 and 1 at /dev/null (capture_stdio
            # in signal_ready; stderr stays, being the console log handler's).
            parent = os.dup(0)
            # Swift's servers call this same monkey_patch only after importing everything; by then
            # eventlet's re-greening of existing RLocks runs a full gc.collect() per lock (~1 s of
            # CPU). Patching first, on a small heap, makes it cheap; the later call is a no-op.
            import eventlet.patcher
            eventlet.patcher.monkey_patch(all=False, socket=True, select=True, thread=True)
            first_proxy_start = args[0] == '--rings-from-stdin'
            if first_proxy_start:
                args.pop(0)
                # The slow imports, while the backends start.
                import swift.common.middleware.s3api.s3api  # noqa: F401
                import swift.proxy.server  # noqa: F401
                build_rings(here, [int(p) for p in read_line(parent).split(',')])
            exit_with_parent(parent, here, remove_dir=args[0].endswith('swift-proxy-server'))
            if args[0].endswith('swift-object-server'):
                check_xattrs(os.path.join(here, 'srv'))
            from swift.common import storage_policy, utils
            utils.set_swift_dir(here)
            storage_policy.reload_storage_policies()
            utils.ThreadSafeSysLogHandler = lambda *a, **k: logging.NullHandler()
            report_port()
            sys.argv = args
            runpy.run_path(args[0], run_name='__main__')


        if __name__ == '__main__':
            main()

        """;
}
