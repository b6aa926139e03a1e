package io.footfall.loader.warehouse;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DuckDB read connections kept between borrowers, each with the statements prepared on it. DuckDB parses,
 * binds and plans a statement in {@code prepareStatement}: measured on the stats summary over a 50-row
 * rollup, 3.3 ms of CPU of a query's 5.8 ms (duplicate connection, prepare, run), against 2.5 ms to run the
 * same statement kept prepared, with new parameters. The stats API asks the same few statements again and
 * again (a dashboard's refresh, a freshness poll), so each kept connection keeps its prepared statements by
 * SQL text.
 *
 * <p>A borrower sees an ordinary {@link Connection}, which it closes as usual; so are the statements it
 * prepares. Closing the connection hands it back (a transaction the borrower left open is rolled back),
 * closing a statement keeps it, parameters cleared, for the next borrower of that connection. Up to
 * {@value #MAX_IDLE} connections wait between borrowers, each with up to {@value #MAX_STATEMENTS} statements,
 * the least recently used closed first. DuckDB binds a kept statement again by itself when a table it reads
 * was replaced ({@code promote}).
 *
 * <p>Only for statements the borrower never cancels: a kept connection's next borrower must not be hit by a
 * late cancel meant for the previous one (the SQL API therefore takes fresh connections).
 */
final class KeptReadConnections implements AutoCloseable {

    /** The query server runs four threads; a few more cover the pipeline probe and other readers. */
    static final int MAX_IDLE = 8;
    /** A dashboard view runs about 20 distinct statements; a few views' worth per connection. */
    static final int MAX_STATEMENTS = 64;

    /** Opens a new read connection. */
    @FunctionalInterface
    interface Opener {
        Connection open() throws SQLException;
    }

    private final Opener opener;
    private final Deque<Kept> idle = new ArrayDeque<>();
    private boolean closed;

    KeptReadConnections(Opener opener) {
        this.opener = opener;
    }

    /** A kept connection, or a new one if none waits; the caller closes it. */
    Connection borrow() throws SQLException {
        Kept kept;
        synchronized (this) {
            if (closed) {
                throw new SQLException("the warehouse is closed");
            }
            kept = idle.pollFirst();
        }
        return (kept != null ? kept : new Kept(opener.open())).lend();
    }

    /** Connections waiting for a borrower (for tests). */
    synchronized int idle() {
        return idle.size();
    }

    private void giveBack(Kept kept) {
        synchronized (this) {
            if (!closed && idle.size() < MAX_IDLE) {
                idle.addFirst(kept);
                return;
            }
        }
        kept.close();
    }

    @Override
    public void close() {
        List<Kept> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(idle);
            idle.clear();
        }
        all.forEach(Kept::close);
    }

    /** One connection and the statements prepared on it, least recently used first. Used by one borrower at a time. */
    private final class Kept {

        private final Connection connection;
        private final LinkedHashMap<String, PreparedStatement> statements = new LinkedHashMap<>(16, 0.75f, true);

        Kept(Connection connection) {
            this.connection = connection;
        }

        Connection lend() {
            return proxy(Connection.class, new Lent<>(connection) {
                @Override
                Object intercept(Method method, Object[] args) throws SQLException {
                    if (method.getName().equals("prepareStatement") && args.length == 1) {
                        return prepare((String) args[0]);
                    }
                    return PASS;
                }

                @Override
                void returned() {
                    release();
                }
            });
        }

        /** A kept statement for {@code sql}, or a new one; out of the cache while lent, so never lent twice. */
        private PreparedStatement prepare(String sql) throws SQLException {
            PreparedStatement statement = statements.remove(sql);
            PreparedStatement real = statement != null ? statement : connection.prepareStatement(sql);
            return proxy(PreparedStatement.class, new Lent<>(real) {
                @Override
                void returned() {
                    keep(sql, real);
                }
            });
        }

        private void keep(String sql, PreparedStatement statement) {
            try {
                statement.clearParameters();
            } catch (SQLException e) {
                quietly(statement);
                return;
            }
            PreparedStatement replaced = statements.put(sql, statement);
            if (replaced != null && replaced != statement) {
                quietly(replaced);
            }
            Iterator<PreparedStatement> oldest = statements.values().iterator();
            while (statements.size() > MAX_STATEMENTS) {
                quietly(oldest.next());
                oldest.remove();
            }
        }

        private void release() {
            try {
                if (!connection.isClosed()) {
                    if (!connection.getAutoCommit()) {
                        connection.rollback();
                        connection.setAutoCommit(true);
                    }
                    giveBack(this);
                    return;
                }
            } catch (SQLException e) {
                // not fit to be lent again: closed below
            }
            close();
        }

        void close() {
            statements.values().forEach(KeptReadConnections::quietly);
            statements.clear();
            try {
                connection.close();
            } catch (SQLException e) {
                // closing: nothing left to do with the error
            }
        }
    }

    /**
     * What a borrower holds: every call goes to {@code target} until the borrower closes it; then {@link #returned}
     * runs once and later calls fail as on a closed JDBC object. {@link #intercept} may answer a call itself.
     */
    private abstract static class Lent<T> implements InvocationHandler {

        static final Object PASS = new Object();

        private final T target;
        private boolean closed;

        Lent(T target) {
            this.target = target;
        }

        Object intercept(Method method, Object[] args) throws SQLException {
            return PASS;
        }

        abstract void returned();

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            switch (method.getName()) {
                case "close" -> {
                    if (!closed) {
                        closed = true;
                        returned();
                    }
                    return null;
                }
                case "isClosed" -> {
                    return closed || (Boolean) call(method, args);
                }
                case "equals" -> {
                    return proxy == args[0];
                }
                case "hashCode" -> {
                    return System.identityHashCode(proxy);
                }
                case "toString" -> {
                    return "kept " + target;
                }
                default -> {
                    if (closed) {
                        throw new SQLException("this " + method.getDeclaringClass().getSimpleName() + " is closed");
                    }
                    Object answer = intercept(method, args == null ? new Object[0] : args);
                    return answer != PASS ? answer : call(method, args);
                }
            }
        }

        private Object call(Method method, Object[] args) throws Throwable {
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }

    private static <T> T proxy(Class<T> type, InvocationHandler handler) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[]{type}, handler));
    }

    private static void quietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // a statement that cannot be closed is dropped all the same
        }
    }

    /** Kept statements per SQL text of an idle connection (for tests). */
    synchronized Map<String, Integer> keptStatements() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Kept kept : idle) {
            kept.statements.keySet().forEach(sql -> counts.merge(sql, 1, Integer::sum));
        }
        return counts;
    }
}
