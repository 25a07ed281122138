package dev.plume.smoke.boot4;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.web.servlet.config.annotation.AsyncSupportConfigurer;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Gives Spring MVC the application's own pool for controller {@code Callable}s, instead of a thread per task. */
@Configuration(proxyBeanMethods = false)
class MvcAsyncSupport implements WebMvcConfigurer {

    private final AsyncTaskExecutor mvcAsyncExecutor;

    MvcAsyncSupport(@Qualifier(AppExecutors.MVC_ASYNC_EXECUTOR) AsyncTaskExecutor mvcAsyncExecutor) {
        this.mvcAsyncExecutor = mvcAsyncExecutor;
    }

    @Override
    public void configureAsyncSupport(AsyncSupportConfigurer configurer) {
        configurer.setTaskExecutor(mvcAsyncExecutor);
    }
}
