// The reference engine for the differential tests: loads N-Triples files into one in-memory Jena
// dataset once, then runs each query file named on stdin and writes its SPARQL JSON results (or
// the error) to <out>/<n>.json. One JVM for all queries: the JVM and the load are paid once.
// A stdin line "@data <file>\t<file>…" replaces the dataset for the queries after it (many small
// fixtures in one JVM).
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import org.apache.jena.query.*;
import org.apache.jena.riot.RDFDataMgr;
import org.apache.jena.rdf.model.*;

public class Oracle {
  public static void main(String[] args) throws Exception {
    Path out = Paths.get(args[0]);
    Model model = ModelFactory.createDefaultModel();
    for (int i = 1; i < args.length; i++) RDFDataMgr.read(model, args[i]);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    int n = 0;
    while ((line = in.readLine()) != null && !line.isEmpty()) {
      if (line.startsWith("@data ")) {
        model = ModelFactory.createDefaultModel();
        for (String file : line.substring(6).split("\t")) if (!file.isEmpty()) RDFDataMgr.read(model, file);
        continue;
      }
      Path target = out.resolve((n++) + ".json");
      try (OutputStream os = Files.newOutputStream(target)) {
        String text = Files.readString(Paths.get(line));
        Query query = QueryFactory.create(text);
        try (QueryExecution exec = QueryExecution.create().query(query).model(model).timeout(120_000).build()) {
          if (query.isSelectType()) ResultSetFormatter.outputAsJSON(os, exec.execSelect());
          else if (query.isAskType()) ResultSetFormatter.outputAsJSON(os, exec.execAsk());
          else os.write("{\"error\":\"not a SELECT or ASK\"}".getBytes(StandardCharsets.UTF_8));
        }
      } catch (Exception e) {
        String msg = String.valueOf(e.getMessage()).replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " ");
        Files.writeString(target, "{\"error\":\"" + (msg.length() > 200 ? msg.substring(0, 200) : msg) + "\"}");
      }
      System.out.println(target);
      System.out.flush();
    }
  }
}
