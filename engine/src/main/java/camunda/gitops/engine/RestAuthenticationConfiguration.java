package camunda.gitops.engine;

import org.camunda.bpm.engine.rest.security.auth.ProcessEngineAuthenticationFilter;
import org.camunda.bpm.engine.rest.security.auth.impl.HttpBasicAuthenticationProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * HTTP Basic authentication on the REST API, registered the way Camunda Run does when
 * CAMUNDA_BPM_RUN_AUTH_ENABLED=true: Camunda's own filter in front of the Jersey servlet. The filter
 * itself lets GET /engine-rest/engine through without credentials, which health checks rely on.
 */
@Configuration
public class RestAuthenticationConfiguration {

  @Bean
  public FilterRegistrationBean<ProcessEngineAuthenticationFilter> processEngineAuthenticationFilter(
      @Value("${spring.jersey.application-path:/engine-rest}") String restPath) {
    FilterRegistrationBean<ProcessEngineAuthenticationFilter> registration =
        new FilterRegistrationBean<>(new ProcessEngineAuthenticationFilter());
    registration.setName("camunda-auth");
    registration.addInitParameter(
        ProcessEngineAuthenticationFilter.AUTHENTICATION_PROVIDER_PARAM, HttpBasicAuthenticationProvider.class.getName());
    String prefix = restPath.endsWith("/") ? restPath.substring(0, restPath.length() - 1) : restPath;
    registration.addUrlPatterns(prefix + "/*");
    return registration;
  }
}
