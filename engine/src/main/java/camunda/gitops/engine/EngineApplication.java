package camunda.gitops.engine;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The local Camunda 7.23 engine: engine, REST API under /engine-rest and the webapps under /camunda,
 * configured like the camunda/camunda-bpm-platform:run-7.23.0 image with CAMUNDA_BPM_RUN_AUTH_ENABLED=true.
 */
@SpringBootApplication
public class EngineApplication {

  /** The admin user comes from the environment only; the jar carries no default password. */
  static final String[] REQUIRED_ENVIRONMENT = {"CAMUNDA_BPM_ADMIN_USER_ID", "CAMUNDA_BPM_ADMIN_USER_PASSWORD"};

  public static void main(String[] args) {
    List<String> missing = new ArrayList<>();
    for (String name : REQUIRED_ENVIRONMENT) {
      String value = System.getenv(name);
      if (value == null || value.isBlank()) {
        missing.add(name);
      }
    }
    if (!missing.isEmpty()) {
      // Fail before Spring starts: an unresolved placeholder would otherwise surface as a long stack trace.
      System.err.println("camunda-engine: " + String.join(" and ", missing)
          + " must be set to create the admin user; `camunda-gitops engine start` sets them for you.");
      System.exit(2);
    }
    SpringApplication.run(EngineApplication.class, args);
  }
}
