// Jena ARQ on the W3C suite's evaluation tests, one JVM for all: each stdin line is
// `<out.srj>\t<query file>\t<data file>|<data file>…`; each test gets a fresh model of its own
// data, and its SPARQL JSON results (or the error) are written to <out.srj>.
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import org.apache.jena.query.*;
import org.apache.jena.riot.RDFDataMgr;
import org.apache.jena.rdf.model.*;

public class W3cOracle {
  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null && !line.isEmpty()) {
      String[] parts = line.split("\t", -1);
      Path target = Paths.get(parts[0]);
      try (OutputStream os = Files.newOutputStream(target)) {
        Model model = ModelFactory.createDefaultModel();
        if (!parts[2].isEmpty()) for (String d : parts[2].split("\\|")) RDFDataMgr.read(model, d);
        Query query = QueryFactory.read(parts[1]);
        try (QueryExecution exec = QueryExecution.create().query(query).model(model).timeout(20_000).build()) {
          if (query.isSelectType()) ResultSetFormatter.outputAsJSON(os, exec.execSelect());
          else if (query.isAskType()) ResultSetFormatter.outputAsJSON(os, exec.execAsk());
          else os.write("{\"error\":\"not a SELECT or ASK\"}".getBytes(StandardCharsets.UTF_8));
        }
      } catch (Throwable e) {
        String msg = String.valueOf(e.getMessage()).replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " ");
        Files.writeString(target, "{\"error\":\"" + (msg.length() > 200 ? msg.substring(0, 200) : msg) + "\"}");
      }
    }
  }
}
