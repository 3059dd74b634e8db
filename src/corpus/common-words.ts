/**
 * The 2,000 most frequent words of arXiv and SciFact abstracts that are whole entries of the uncased
 * BERT WordPiece vocabulary (bert-base-uncased, shared by both registered models), so each is exactly
 * one token. The token estimate counts these as 1 and everything else conservatively.
 * Generated once from a sample of ../shared/datasets (word frequencies) and vocab.txt; regenerate only
 * together with TOKEN_ESTIMATOR_ID in tokens.ts.
 */
export const COMMON_WORDS: string =
  "a abilities ability able about above absence absolute abstract access accessible according " +
  "account accumulation accuracy accurate accurately achieve achieved achieving acid acquisition " +
  "across act action actions activated activation active activities activity acute ad adapt " +
  "adaptation adapted adapting adaptive addition additional additionally address addresses " +
  "addressing adjusted adopt adoption adult advance advanced advances advancing advantage " +
  "advantages adverse affect affected after against age aged agent agents aggregate aggregation " +
  "aging agreement ai aim aims al algorithm algorithms align aligned alignment all allocation " +
  "allowing allows alone along alongside alpha also alternative although ambiguity ambiguous among " +
  "an analyses analysis analyze analyzed analyzing anatomical anchor and animal animals anomaly " +
  "another answer answering answers anti antigen any appear appearance application applications " +
  "applied applies apply applying approach approaches appropriate approximately ar arbitrary " +
  "architectural architecture are area areas argue around art article artifacts artificial as " +
  "aspects assembly assess assessed assessing assessment assisted associated association " +
  "associations assumption at attack attacks attention attribute attributes audio augmented " +
  "automated automatic automatically autonomous auxiliary available average aware awareness b " +
  "backbone background balance balanced base based baseline basic basis be because become becomes " +
  "been before behavior behavioral behaviors being bench benefit benefits best beta better between " +
  "beyond bias binary binding biological biomedical bit black block blocks blood body bone both " +
  "bound boundaries boundary box brain branch breast bridge broad broader budget build building " +
  "built burden but by c ca cache called camera cameras can cancer candidate cannot capabilities " +
  "capability capable capacity capture captured captures capturing cardiac cardiovascular care case " +
  "cases categories category causal cause caused causes cd cell cells cellular central certain " +
  "chain chains challenge challenges challenging change changes channel channels character " +
  "characteristics characterized children chinese choice chromosome chronic ci class classes " +
  "classical classification claude clean clear clinical clip close closed closely cloud clouds " +
  "cluster clusters cnn co coarse code codes coding cognitive coherent collaboration collaborative " +
  "collapse collected collection color com combination combined combines combining common commonly " +
  "communication community compact comparable comparative compare compared comparing comparison " +
  "comparisons competitive complementary complete completion complex complexity component " +
  "components composition comprehension comprehensive compression comprises comprising computation " +
  "computational compute computer computing concentration concentrations concept concepts concerns " +
  "conclusion conclusions condition conditional conditioned conditioning conditions conduct " +
  "conducted confidence configurations confirm confirmed conflict consider considered consistency " +
  "consistent consistently consists constrained constraint constraints construct constructed " +
  "construction consumption contain containing contains content context contexts continual " +
  "continuous contrast contribute contributes contribution contributions control controlled " +
  "controls conventional convergence core corpus correct correction correlated correlation " +
  "corresponding cost costly costs cot could countries coupled coverage covering create creating " +
  "creation criteria critical cross crucial ct cues cultural culture curated current currently " +
  "cycle d daily damage data database day days de death decision decisions decomposition decrease " +
  "decreased dedicated deep defect defects defense define defined degradation degraded degree " +
  "demand demands demonstrate demonstrated demonstrates demonstrating dense density depend " +
  "dependent depends deployed deployment depth derive derived describe description descriptions " +
  "design designed designs despite detail detailed details detect detected detecting detection " +
  "detector detectors determine determined develop developed developing development devices " +
  "diabetes diagnosis diagnostic dialogue did difference differences different differential " +
  "differentiation difficult difficulty diffusion digital dimension dimensional dimensions direct " +
  "direction directions directly discovery discrete discuss disease diseases disorders distance " +
  "distinct distinguish distortion distributed distribution distributions diverse diversity dna do " +
  "document documents does domain domains dominant dose double down downstream drift drive driven " +
  "driving drug drugs dual due during dynamic dynamics e each early edge editing education effect " +
  "effective effectively effectiveness effects efficacy efficiency efficient efficiently efforts " +
  "eight either elements elevated embedded embodied emerged emerging emotion emotional empirical " +
  "employ employed employing employs enable enabled enables enabling encoded encoding end ended " +
  "energy engineering english enhance enhanced enhancement enhancing ensemble ensure ensures " +
  "ensuring entire entities entity entropy environment environmental environments error errors " +
  "especially essential establish established establishes establishing estimate estimated estimates " +
  "estimation et evaluate evaluated evaluating evaluation even event events every evidence " +
  "evolution evolving exact examine examined example examples execution exercise exhibit exhibits " +
  "existing expansion expected expensive experience experiment experimental experiments expert " +
  "experts explanation explanations explicit explicitly exploit exploration explore explored " +
  "exposure expressed expression expressions extend extended extends extension extensive extent " +
  "external extract extracted extraction extracts extreme f face faces facial facilitate " +
  "facilitates fact factor factors factual fail fails failure failures fairness false families " +
  "family far fast faster fat feasibility feature features feedback few fewer fidelity field fields " +
  "filtering final finally financial find finding findings fine finite first five fixed flexibility " +
  "flexible flow focus focused focuses focusing fold follow followed following food for forgetting " +
  "form formal format formation forms formulation forward found foundation four frame frames " +
  "framework free frequency frequently from frontier frozen full fully function functional " +
  "functions fundamental fundamentally further furthermore fusion future g gain gains game games " +
  "gap gaps gemini gender gene general generalized generally generate generated generates " +
  "generating generation generator genes genetic genome geometric geometry given global glucose " +
  "goal good grade gradient graph graphs great greater ground grounded group groups growing growth " +
  "gui guidance guide guided guidelines h had hand handle handling hard hardware harmful has have " +
  "head heads health healthcare healthy heart heavily help here hidden hierarchical high higher " +
  "highest highlight highlighting highlights highly historical history hiv hop horizon hospital " +
  "host hours how however hr https human humans hybrid hypothesis i identification identified " +
  "identifies identify identifying identity if ii iii il illumination image imagery images imaging " +
  "immune impact implementation implications implicit importance important impressive improve " +
  "improved improvement improvements improves improving in incidence include included includes " +
  "including inconsistent incorporate incorporates incorporating incorrect increase increased " +
  "increases increasing increasingly independent independently index indicate indicating individual " +
  "individuals induce induced induction industrial infected infection inference inflammation " +
  "inflammatory influence information informed infrastructure inherent inherently inhibition " +
  "inhibitor inhibitors initial injection injury input inputs insight insights inspired instance " +
  "instances instead instruction instructions insufficient insulin integrate integrated integrating " +
  "integration integrity intelligence intelligent intensity intensive intent inter interaction " +
  "interactions interactive interest interface interference intermediate internal interpretation " +
  "interval intervention interventions into intra intrinsic introduce introduced introduces " +
  "introducing invariant inverse investigate investigated involved involves involving io irrelevant " +
  "is isolated issue issues it its itself joint jointly judge just k key kg kinase knowledge known " +
  "kv l label labeled labeling labels lack lacking language languages large largely larger late " +
  "later layer layers layout lead leading leads learn learned learning learns least leaving led " +
  "legal length lesions less level levels leverage life light lighting lightweight like likely " +
  "limit limitation limitations limited limiting limits line linear lines linguistic link linked " +
  "literature little liver local localized location log logic logical long longer loop loss low " +
  "lower lung m machine made magnitude main mainly maintain maintaining maintains maintenance major " +
  "majority make makes making malaria mammalian management manipulation manner manual manually many " +
  "map mapping maps markers mask masked masks mass match matched matches matching material " +
  "materials math mathematical matrix maximum may mean meaningful measure measured measurement " +
  "measurements measures measuring mechanism mechanisms media median mediated medical membrane " +
  "memory men mental mesh meta metabolic metabolism method methodology methods metric mg mice might " +
  "million minimal mir missing mitochondrial mixed mixture ml mm mobile mode model modeling models " +
  "modern modes modifications modular modulation module modules moe molecular molecules monitoring " +
  "months more moreover mortality most motion motivated mouse mri mrna ms much multi multiple " +
  "muscle must mutant mutation mutations n named narrative national native natural naturally nature " +
  "navigation near nearly necessary need needed needs negative net network networks neural neurons " +
  "new newly next no node noise noisy non normal not notably novel now nuclear number numerical " +
  "numerous o obesity object objective objectives objects observation observations observe observed " +
  "obtain obtained occur occurs of off offer offering offers often on once one ones online only " +
  "open operate operates operating operational operations optical optimal optimization or order " +
  "organization oriented original other others our out outcome outcomes output outputs over overall " +
  "overcome overhead own p page pair paired pairs paper paradigm parallel parameter parameters part " +
  "partial partially participants particular particularly parts pass past patch path pathology " +
  "paths pathway pathways patient patients pattern patterns people per percent percentage " +
  "perception perform performance performed performing performs period persistent person " +
  "perspective perspectives phase phenomenon physical physically physics physiological pi pipeline " +
  "pixel plan planning plasma platform platforms plausible play plays plug plus point points " +
  "policies policy poor poorly popular population populations pose poses position positions " +
  "positive possible post potential potentially power powerful practical practice pre precise " +
  "precision predict predicted predicting prediction predictions predominantly preference " +
  "preferences presence present presented presents preservation preserve preserves preserving " +
  "pressure prevalence prevent previous previously primarily primary principles prior privacy pro " +
  "probability probe problem problems process processes processing produce produced produces " +
  "producing product production profiles program progress progression progressive progressively " +
  "project projection proliferation promise promising promote prompt prompting prone propagation " +
  "properties property propose proposed proposes proprietary protein proteins protocol protocols " +
  "prove provide provided provides providing pseudo public publicly purpose q quality quantitative " +
  "query question questions r radar rag random range ranging rank ranking rapid rapidly rare rate " +
  "rates rather ratio ratios raw ray re real realistic reason reasoning recall received recent " +
  "recently receptor receptors recognition reconstruction recover recovery reduce reduced reduces " +
  "reducing reduction redundant reference reflect reflection regarding region regions registration " +
  "regression regulate regulated regulation regulatory reinforcement related relation relations " +
  "relationship relationships relative relatively release released relevance relevant reliability " +
  "reliable reliance relies rely relying remain remaining remains remarkable remote removal " +
  "rendering repair replication report reported reports represent representation representations " +
  "representative representing represents require required requirements requires requiring research " +
  "researchers residual resistance resolution resource resources respectively response responses " +
  "responsible restoration restricted result resulting results retrieval retrieved reveal revealed " +
  "revealing reveals reverse review reviews reward rewards rich rigid rigorous rise risk risks rna " +
  "robot robust role roles routing rs rule rules s safe safety sam same sample samples sampling " +
  "satellite scale scales scaling scenario scenarios scene scenes scheme science scientific score " +
  "scores scoring screening search second security seen segment segments select selected selection " +
  "selective self semantic semantics semi sensing sensitive sensitivity sensor sentence sentiment " +
  "separate sequence sequences sequential series serum serve serves set sets setting settings seven " +
  "several severe severity shape share shared shift shifts short shot should show showed showing " +
  "shown shows side sign signal signaling signals significant significantly similar similarity " +
  "simple simulated simulation simultaneously since single site sites six size sizes skill skills " +
  "skin small smaller so social soft software solely solution solutions solve solving some source " +
  "sources space spaces spanning sparse spatial specialized species specific specifically spectral " +
  "spectrum speech speed stability stable stage stages standard standardized state states static " +
  "statistical status steering stem step steps still storage strategic strategies strategy stream " +
  "streaming strength strengths stress strict stroke strong stronger strongest strongly structural " +
  "structure structured structures struggle student studied studies study style sub subject " +
  "subjects subsequent subsequently subset substantial substantially subtle success successfully " +
  "such suffer sufficient suggest suggesting suggests suitable super superior superiority " +
  "supervised supervision support supporting supports suppression surface surgical surpassing " +
  "survey survival symbolic symptoms syndrome synthesis synthetic system systematic systematically " +
  "systems t table tackle tailored target targeted targeting targets task tasks taxonomy teacher " +
  "technical technique techniques technology temporal term termed terminal terms test tested " +
  "testing tests text texts textual texture th than that the their them then theoretical theory " +
  "therapeutic therapy there thereby therefore these they thinking third this those though thought " +
  "three threshold through throughout thus time times tissue tissues to together token tool tools " +
  "top topic topology total toward towards traces track tracking trade traditional traffic train " +
  "trained training trajectory transcription transfer transformation transformers transition " +
  "translation transmission transparent transport treat treated treatment tree trial trials true " +
  "truth tumor tumors tuned tuning turn two type types typically u uncertainty unclear under " +
  "underlying understand understanding understood unified uniform unique unit universal unknown " +
  "unlike unseen up update updates upon urban us usage use used useful user users uses using " +
  "usually utility utilize utilizes utilizing v valid validation validity valuable value values " +
  "variability variable variables variance variant variants variation variations variety various " +
  "varying vascular vector vectors vehicle verification verified versus very via video videos view " +
  "views viral virtual virus vision visual visually vitro vivo vocabulary volume vs was way we weak " +
  "weather web weeks weight weighted weights well were what when where whereas whether which while " +
  "white who whole whose wide widely wild will window wise with within without women word words " +
  "work works world would writing x year years yet yield yielding yields zero ";
