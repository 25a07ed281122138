package dev.plume.smoke.servlet25;

import javax.servlet.FilterChain;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import java.lang.reflect.Proxy;

/**
 * Runs requests through a {@code FilterChain} of the Servlet 2.5 API, which predates {@code getDispatcherType} and
 * asynchronous requests, so the agent's servlet advice cannot fit it. Prints {@code SERVED <n>} and exits.
 */
public final class Servlet25App {
    private Servlet25App() {
    }

    /** The whole "container": a chain that counts the requests it is given. */
    static final class CountingChain implements FilterChain {
        int served;

        @Override
        public void doFilter(ServletRequest request, ServletResponse response) {
            served++;
        }
    }

    public static void main(String[] args) throws Exception {
        CountingChain chain = new CountingChain();
        ServletRequest request = stub(ServletRequest.class);
        ServletResponse response = stub(ServletResponse.class);
        for (int i = 0; i < 3; i++) {
            chain.doFilter(request, response);
        }
        System.out.println("SERVED " + chain.served);
    }

    private static <T> T stub(Class<T> type) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
            (proxy, method, arguments) -> method.getReturnType() == boolean.class ? Boolean.FALSE
                : method.getReturnType() == int.class ? 0 : null));
    }
}
