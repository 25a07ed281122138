package dev.plume.smoke.boot3;

import dev.plume.smoke.selfcalls.CrossThreadCalls;
import dev.plume.smoke.selfcalls.OwnHelloClient;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** The thread pools the application owns, each with a thread-name prefix that shows in a trace. */
@Configuration(proxyBeanMethods = false)
class AppExecutors {

    static final String APP_EXECUTOR = "appExecutor";
    static final String APP_SCHEDULER = "appScheduler";
    static final String ASYNC_HELLO_EXECUTOR = "asyncHelloExecutor";
    static final String MVC_ASYNC_EXECUTOR = "mvcAsyncExecutor";

    private static final int POOL_THREADS = 4;

    @Bean(name = APP_EXECUTOR, destroyMethod = "shutdownNow")
    ExecutorService appExecutor() {
        return new ThreadPoolExecutor(POOL_THREADS, POOL_THREADS, 0L, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), new CustomizableThreadFactory("app-executor-"));
    }

    @Bean(name = APP_SCHEDULER, destroyMethod = "shutdownNow")
    ScheduledExecutorService appScheduler() {
        return Executors.newScheduledThreadPool(1, new CustomizableThreadFactory("app-scheduler-"));
    }

    /** Runs the {@code @Async} methods of {@link AsyncHelloService}. */
    @Bean(ASYNC_HELLO_EXECUTOR)
    ThreadPoolTaskExecutor asyncHelloExecutor() {
        return taskExecutor("async-hello-");
    }

    /** Runs the {@code Callable}s that controllers return; see {@link MvcAsyncSupport}. */
    @Bean(MVC_ASYNC_EXECUTOR)
    ThreadPoolTaskExecutor mvcAsyncExecutor() {
        return taskExecutor("mvc-async-");
    }

    @Bean
    OwnHelloClient ownHelloClient(ServerPort serverPort) {
        return new OwnHelloClient(serverPort);
    }

    @Bean
    CrossThreadCalls crossThreadCalls(OwnHelloClient client,
                                      @Qualifier(APP_EXECUTOR) ExecutorService executor,
                                      @Qualifier(APP_SCHEDULER) ScheduledExecutorService scheduler) {
        return new CrossThreadCalls(client, executor, scheduler);
    }

    private static ThreadPoolTaskExecutor taskExecutor(String threadNamePrefix) {
        ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
        executor.setCorePoolSize(POOL_THREADS);
        executor.setMaxPoolSize(POOL_THREADS);
        executor.setThreadNamePrefix(threadNamePrefix);
        return executor;
    }
}
